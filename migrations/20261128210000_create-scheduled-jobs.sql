-- Recurring background jobs (retention, reminders, cleanups), shared by every app process on this
-- database. A process claims a due job by taking its lease (locked_until) in one statement; a crashed
-- holder's lease runs out and another process takes the job over. See src/features/jobs/scheduler.ts.
create table scheduled_job (
  name text primary key,
  -- Human-readable, e.g. 'every 600 s' or 'daily 03:00 Europe/Amsterdam'; for operators only.
  schedule text not null,
  next_run_at timestamptz not null,
  locked_until timestamptz,
  locked_by text,
  -- Runs started, including ones that failed or were abandoned by a crashed process.
  run_count integer not null default 0,
  last_started_at timestamptz,
  last_finished_at timestamptz,
  last_outcome text check (last_outcome in ('ok', 'failed')),
  last_counts jsonb
);

-- One row per run, for operators and for the exactly-once guarantee below. Pruned by the
-- 'job-history' job.
create table job_run (
  id uuid primary key,
  job_name text not null references scheduled_job (name) on delete cascade,
  -- The slot this run is for (scheduled_job.next_run_at when claimed).
  scheduled_for timestamptz not null,
  started_at timestamptz not null,
  finished_at timestamptz,
  -- null while running; 'abandoned' when another process took over after the lease ran out.
  outcome text check (outcome in ('ok', 'failed', 'abandoned')),
  counts jsonb,
  -- An error's kind only (never its message, which may carry personal data).
  error text,
  -- Which process ran it: host name and process id, no personal data.
  runner text not null
);

-- A slot is run once: the lease already ensures it, this makes the database refuse a second run.
create unique index job_run_once_per_slot on job_run (job_name, scheduled_for) where outcome is distinct from 'abandoned';
create index job_run_started_idx on job_run (started_at);
