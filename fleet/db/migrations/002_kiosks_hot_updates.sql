-- Heartbeats rewrite one kiosks row per kiosk per minute. None of the columns they set (boot, hb_seq,
-- last_seen, health, site, operator) is indexed, so PostgreSQL can update the row in place on its page
-- (a HOT update: no new index entry, far less WAL) — but only when that page has room for the new row
-- version. A table filled to 100% has none, and every heartbeat then became a non-HOT update that also
-- wrote the primary-key index. Leaving half of every page free keeps them HOT; page pruning reclaims the
-- old versions without a VACUUM. CLUSTER rewrites the rows already stored with the new fill factor (a few
-- milliseconds for a fleet of ten thousand). Do not index a column the heartbeat sets: that ends HOT.
ALTER TABLE kiosks SET (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05);
CLUSTER kiosks USING kiosks_pkey;
