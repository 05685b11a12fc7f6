-- notify-server's PostgreSQL schema, version 3: finds a vault record sent again (spec section
-- 16b: a re-sent record is stored once) without reading every record of its tag. The digest
-- names the record; the store compares the records themselves before refusing a copy.
CREATE INDEX vault_by_record ON vault (tag, md5(record));
