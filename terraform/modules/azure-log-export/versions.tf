terraform {
  # 1.9 or later: the validation blocks below compare variables with each other.
  required_version = ">= 1.9.0"

  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
      # 4.78 is the first 4.x release with azurerm_application_insights.local_authentication_enabled
      # (the replacement of the deprecated local_authentication_disabled, which 5.0 removes); every
      # other argument used here exists from 4.46 on. Arguments were checked against the provider's
      # docs and schemas at tags v4.78.0 and v4.81.0 (the newest 4.x); nothing was run against Azure.
      version = "~> 4.78"
    }
  }
}
