CREATE EXTERNAL TABLE IF NOT EXISTS `typed_cl` (
  `TimeGenerated` timestamp,
  `TimeGenerated_100ns` tinyint,
  `c_string` string,
  `c_datetime` timestamp,
  `c_datetime_100ns` tinyint,
  `c_long` bigint,
  `c_int` int,
  `c_real` double,
  `c_bool` boolean,
  `c_dynamic` string,
  `c_guid` string,
  `c_timespan` bigint,
  `c_decimal` string
)
PARTITIONED BY (`year` string, `month` string, `day` string, `hour` string)
STORED AS PARQUET
LOCATION 's3://archive-bucket/logs/table=Typed_CL/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.year.type' = 'integer',
  'projection.year.range' = '2000,2100',
  'projection.year.digits' = '4',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'projection.hour.type' = 'integer',
  'projection.hour.range' = '0,23',
  'projection.hour.digits' = '2',
  'storage.location.template' = 's3://archive-bucket/logs/table=Typed_CL/year=${year}/month=${month}/day=${day}/hour=${hour}/'
);
