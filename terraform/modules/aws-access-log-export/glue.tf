resource "aws_glue_catalog_database" "logs" {
  count       = var.create_glue_tables ? 1 : 0
  name        = var.glue_database_name
  description = "Pulp logs exported by logexport (Parquet, Hive-style hourly partitions)."
}

# One table per export; partition projection computes the partitions from the key layout
# (<prefix>/year=YYYY/month=MM/day=DD/hour=HH/), so new hours are queryable at once.
resource "aws_glue_catalog_table" "export" {
  for_each      = var.create_glue_tables ? local.export_prefixes : {}
  name          = each.key == "access" ? "pulp_access_logs" : "pulp_content_${each.key}_logs"
  database_name = aws_glue_catalog_database.logs[0].name
  table_type    = "EXTERNAL_TABLE"

  parameters = {
    EXTERNAL                    = "TRUE"
    classification              = "parquet"
    "parquet.compression"       = "SNAPPY"
    "projection.enabled"        = "true"
    "projection.year.type"      = "integer"
    "projection.year.range"     = "${var.projection_start_year},2100"
    "projection.month.type"     = "integer"
    "projection.month.range"    = "1,12"
    "projection.month.digits"   = "2"
    "projection.day.type"       = "integer"
    "projection.day.range"      = "1,31"
    "projection.day.digits"     = "2"
    "projection.hour.type"      = "integer"
    "projection.hour.range"     = "0,23"
    "projection.hour.digits"    = "2"
    "storage.location.template" = "s3://${var.bucket_name}/${each.value}/year=$${year}/month=$${month}/day=$${day}/hour=$${hour}/"
  }

  dynamic "partition_keys" {
    for_each = ["year", "month", "day", "hour"]
    content {
      name = partition_keys.value
      type = "string"
    }
  }

  storage_descriptor {
    location      = "s3://${var.bucket_name}/${each.value}/"
    input_format  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    }

    dynamic "columns" {
      for_each = local.glue_columns[each.key]
      content {
        name = columns.value.name
        type = columns.value.type
      }
    }
  }
}
