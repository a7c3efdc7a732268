-- The fleet collector's whole state. Collector instances keep nothing else, so any number of them can run
-- behind a load balancer against this one database.

-- One row per kiosk that ever asked to enrol. The device key is pinned at enrolment (key_fingerprint =
-- SHA-256 of the SPKI, upper-case hex, as the kiosk names it in x-idkiosk-key).
CREATE TABLE kiosks (
  kiosk_id        text PRIMARY KEY,
  status          text NOT NULL CHECK (status IN ('pending', 'approved', 'revoked')),
  csr_pem         text NOT NULL,
  key_fingerprint text NOT NULL,
  public_key_pem  text NOT NULL,
  cert_pem        text,
  cert_serial     text,
  requested_at    timestamptz NOT NULL DEFAULT now(),
  approved_at     timestamptz,
  revoked_at      timestamptz,
  revoke_reason   text,
  -- the last accepted heartbeat
  boot            text,
  hb_seq          bigint,
  last_seen       timestamptz,
  site            text,
  operator        text,
  health          jsonb
);

-- Every boot a kiosk announced and the highest heartbeat sequence number seen in it: a replayed or
-- reordered heartbeat (same boot, seq not higher; or a boot that is not the current one) is refused.
CREATE TABLE heartbeat_boots (
  kiosk_id   text NOT NULL REFERENCES kiosks (kiosk_id),
  boot       text NOT NULL,
  last_seq   bigint NOT NULL,
  first_seen timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kiosk_id, boot)
);

-- One row per audit chain of a kiosk: the stored tail (the rows lock serialises ingest of one chain across
-- collector instances).
CREATE TABLE audit_chains (
  kiosk_id   text NOT NULL REFERENCES kiosks (kiosk_id),
  chain      text NOT NULL,
  public_key_pem text NOT NULL,
  first_seq  bigint NOT NULL,
  last_seq   bigint NOT NULL,
  last_hash  bytea NOT NULL,
  records    bigint NOT NULL DEFAULT 0,
  first_seen timestamptz NOT NULL DEFAULT now(),
  last_ingest timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kiosk_id, chain)
);

-- The records as the kiosk signed them; sealed personal data stays sealed (the collector has no key).
-- Partitioned by month of the record's signed time; retention drops whole partitions.
CREATE TABLE audit_records (
  kiosk_id    text NOT NULL,
  chain       text NOT NULL,
  seq         bigint NOT NULL,
  time        timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  body        text NOT NULL,
  sealed      bytea,
  prev_hash   bytea NOT NULL,
  hash        bytea NOT NULL,
  sig         bytea NOT NULL,
  PRIMARY KEY (kiosk_id, chain, seq, time)
) PARTITION BY RANGE (time);
CREATE TABLE audit_records_default PARTITION OF audit_records DEFAULT;

-- Signed chain boundaries from the batches (anchor = first record of a batch and the hash before it,
-- head = last record and its hash). An export starts at a signed anchor and ends at a signed head, so
-- `idkiosk audit verify` checks it with the device key alone.
CREATE TABLE audit_marks (
  kiosk_id text NOT NULL,
  chain    text NOT NULL,
  kind     text NOT NULL CHECK (kind IN ('anchor', 'head')),
  seq      bigint NOT NULL,
  hash     bytea NOT NULL,
  sig      bytea NOT NULL,
  PRIMARY KEY (kiosk_id, chain, kind, seq)
);

-- Named problems: gaps, edits, reorders, rollbacks, refused uploads. One row per distinct finding.
CREATE TABLE alerts (
  id         bigserial PRIMARY KEY,
  kiosk_id   text NOT NULL,
  kind       text NOT NULL,
  chain      text NOT NULL DEFAULT '',
  seq        bigint NOT NULL DEFAULT -1,
  detail     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kiosk_id, kind, chain, seq)
);

-- The fleet CA's revocation list, shared by every instance (each writes it to its crlFile for TLS).
CREATE TABLE ca_crl (
  id         int PRIMARY KEY CHECK (id = 1),
  number     bigint NOT NULL,
  pem        text NOT NULL,
  this_update timestamptz NOT NULL,
  next_update timestamptz NOT NULL
);
