/**
 * The newest azurerm binding (@cdktf/provider-azurerm 14.23.1) describes provider 4.55.0, but the
 * module needs 4.78.0 (azurerm_application_insights.local_authentication_enabled). What changed in
 * between for the types the modules use, read from the provider's source
 * (hashicorp/terraform-provider-azurerm, `git diff v4.55.0 v4.78.0` of each type's schema: the
 * files named below, plus internal/services/appservice/helpers/ and internal/provider/features.go).
 * Only additions were found: the renamed Application Insights arguments keep their old names in
 * 4.x (removed only in 5.0, behind features.FivePointOh()), and so does the provider's
 * skip_provider_registration. Arguments added to blocks the modules do not use are left out.
 */
import type { BindingKind } from "./cdktf-bindings.js";
import type { AttributeSchema, NestedBlockSchema } from "./schema.js";

export interface SchemaChange {
  readonly kind: BindingKind;
  /** The resource or data source type; the provider's local name for kind "provider". */
  readonly type: string;
  /** Nested blocks down to where the change applies; empty for the top level. */
  readonly path: readonly string[];
  readonly attributes?: Readonly<Record<string, AttributeSchema>>;
  readonly blocks?: Readonly<Record<string, NestedBlockSchema>>;
  /** Where in the provider's source at the target version. */
  readonly evidence: string;
}

export interface SchemaChanges {
  readonly from: string;
  readonly to: string;
  readonly changes: readonly SchemaChange[];
}

export const AZURERM_CHANGES: SchemaChanges = {
  from: "4.55.0",
  to: "4.78.0",
  changes: [
    {
      kind: "provider",
      type: "azurerm",
      path: [],
      blocks: { enhanced_validation: { attributes: { locations: {}, resource_providers: {} }, blocks: {} } },
      evidence: "internal/provider/provider.go: enhanced_validation (TypeList, MaxItems 1) with locations and resource_providers",
    },
    {
      kind: "provider",
      type: "azurerm",
      path: ["features"],
      attributes: { persist_id_on_create_before_polling_for_completion: {}, skip_import_check_on_create_and_allow_overwriting_existing_resources: {} },
      evidence: "internal/provider/features.go: two optional booleans at the top of features",
    },
    {
      kind: "resource",
      type: "azurerm_application_insights",
      path: [],
      attributes: { local_authentication_enabled: {}, ip_masking_enabled: {}, daily_data_cap_notifications_enabled: {} },
      evidence:
        "internal/services/applicationinsights/application_insights_resource.go: optional, ConflictsWith the deprecated *_disabled / disable_ip_masking arguments",
    },
    {
      kind: "resource",
      type: "azurerm_user_assigned_identity",
      path: [],
      attributes: { isolation_scope: {} },
      evidence: "internal/services/managedidentity/user_assigned_identity_resource.go: optional string",
    },
    {
      kind: "resource",
      type: "azurerm_monitor_scheduled_query_rules_alert_v2",
      path: ["action"],
      attributes: { email_subject: {} },
      evidence: "internal/services/monitor/monitor_scheduled_query_rules_alert_v2_resource.go: optional string in the action block",
    },
    {
      kind: "resource",
      type: "azurerm_storage_container",
      path: [],
      attributes: { url: { computed: true } },
      evidence: "internal/services/storage/storage_container_resource.go: computed string",
    },
  ],
};
