-- Search lists hits newest first and pages with a keyset on (date, id) (features/search): these let
-- a common word be found by walking the dates backwards and stopping after one page, instead of
-- collecting and sorting every match. Reports already have report_received_at_idx.
create index case_file_created_idx on case_file (created_at desc, id desc);
create index case_note_created_idx on case_note (created_at desc, id desc);
