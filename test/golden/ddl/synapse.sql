CREATE OR ALTER VIEW [typed_cl] AS
SELECT
  r.*,
  CAST(r.filepath(1) AS int) AS [year],
  CAST(r.filepath(2) AS int) AS [month],
  CAST(r.filepath(3) AS int) AS [day],
  CAST(r.filepath(4) AS int) AS [hour]
FROM OPENROWSET(
  BULK 'https://account.dfs.core.windows.net/log-exports/logs/table=Typed_CL/year=*/month=*/day=*/hour=*/*.parquet',
  FORMAT = 'PARQUET'
) WITH (
    [TimeGenerated] datetime2(7),
    [TimeGenerated_100ns] smallint,
    [c_string] varchar(8000) COLLATE Latin1_General_100_BIN2_UTF8,
    [c_datetime] datetime2(7),
    [c_datetime_100ns] smallint,
    [c_long] bigint,
    [c_int] int,
    [c_real] float,
    [c_bool] bit,
    [c_dynamic] varchar(8000) COLLATE Latin1_General_100_BIN2_UTF8,
    [c_guid] varchar(8000) COLLATE Latin1_General_100_BIN2_UTF8,
    [c_timespan] bigint,
    [c_decimal] varchar(8000) COLLATE Latin1_General_100_BIN2_UTF8
) AS r;
