-- Vigie PostgreSQL schema, version 4: workflow records get an area.
--
-- `area` is where a record is routed (a département code, or "national"): residents' and partners'
-- reports reach the CROSS of their département, dealing points belong to one; a CROSS reads its own
-- queue without reading the others'. Records of the older workflows have none.
ALTER TABLE workflow_records ADD COLUMN area TEXT;

CREATE INDEX workflow_records_area ON workflow_records (kind, area, starts_micros) WHERE area IS NOT NULL;
