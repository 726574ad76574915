"""The purge path of the audit trail: the only way audit-trail rows are deleted.

The append-only trigger (``audits/sql.py``) lets a DELETE through only when
``flockgov.purge`` is on in the transaction, and the application role has no
DELETE privilege on audit tables at all. These SECURITY DEFINER functions, owned
by the schema owner, are the one place that switch is turned on, and each checks
for itself that what it removes is expired:

* ``flockgov_purge_audit_batch`` removes the oldest audit events, a contiguous run
  of the chain ending at ``through_seq``, refusing if any record in that run is
  younger than the cutoff or if the cutoff is less than two years ago by the
  database's own clock (a guard against a wrong application clock, not the rule);
  it returns the last destroyed record's seq and hash: the caller writes the chain
  tombstone with them in the same transaction.
* ``flockgov_purge_audit_side_tables`` removes expired searches and
  django-auditlog entries (audit-trail data without a chain).
* ``flockgov_purge_held_audit`` removes vault copies whose hold was released and
  which are past two years.

Held audit records are safe because a hold copies them into the vault
(``retention_heldauditrecord``) when it takes them; the functions never need to
ask whether a live row is held.
"""

from audits.sql import APP_ROLE

GUARD = """
    IF cutoff > now() - interval '2 years' THEN
        RAISE EXCEPTION 'audit purge refused: cutoff % is less than two years ago',
            cutoff USING ERRCODE = 'insufficient_privilege';
    END IF;
"""

CREATE_PURGE_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION flockgov_purge_audit_batch(
    cutoff timestamptz, through_seq bigint, batch integer
) RETURNS TABLE (deleted bigint, last_seq bigint, last_hash varchar)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    {GUARD}
    IF EXISTS (
        SELECT 1 FROM audits_auditevent
        WHERE seq <= through_seq AND occurred_at > cutoff
    ) THEN
        RAISE EXCEPTION 'audit purge refused: records up to seq % are not all expired',
            through_seq USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM set_config('flockgov.purge', 'on', true);
    RETURN QUERY
    WITH doomed AS (
        SELECT e.id, e.occurred_at FROM audits_auditevent e
        WHERE e.seq <= through_seq AND e.occurred_at <= cutoff
        ORDER BY e.seq LIMIT batch
    ), gone AS (
        DELETE FROM audits_auditevent a USING doomed d
        WHERE a.id = d.id AND a.occurred_at = d.occurred_at
        RETURNING a.seq, a.hash
    )
    SELECT count(*)::bigint, max(gone.seq),
           (SELECT g.hash FROM gone g ORDER BY g.seq DESC LIMIT 1)
    FROM gone;
    PERFORM set_config('flockgov.purge', 'off', true);
END
$$;

CREATE OR REPLACE FUNCTION flockgov_purge_audit_side_tables(
    cutoff timestamptz, batch integer
) RETURNS TABLE (searches bigint, log_entries bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    n_searches bigint;
    n_entries bigint;
BEGIN
    {GUARD}
    PERFORM set_config('flockgov.purge', 'on', true);
    DELETE FROM queries_search WHERE id IN (
        SELECT id FROM queries_search WHERE created_at <= cutoff LIMIT batch
    );
    GET DIAGNOSTICS n_searches = ROW_COUNT;
    DELETE FROM auditlog_logentry WHERE id IN (
        SELECT id FROM auditlog_logentry WHERE timestamp <= cutoff LIMIT batch
    );
    GET DIAGNOSTICS n_entries = ROW_COUNT;
    PERFORM set_config('flockgov.purge', 'off', true);
    RETURN QUERY SELECT n_searches, n_entries;
END
$$;

CREATE OR REPLACE FUNCTION flockgov_purge_held_audit(cutoff timestamptz)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    n bigint;
BEGIN
    {GUARD}
    PERFORM set_config('flockgov.purge', 'on', true);
    DELETE FROM retention_heldauditrecord r
    USING retention_legalhold h
    WHERE r.hold_id = h.id AND h.released_at IS NOT NULL
      AND r.recorded_at <= cutoff;
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('flockgov.purge', 'off', true);
    RETURN n;
END
$$;

REVOKE ALL ON FUNCTION flockgov_purge_audit_batch(timestamptz, bigint, integer)
    FROM PUBLIC;
REVOKE ALL ON FUNCTION flockgov_purge_audit_side_tables(timestamptz, integer)
    FROM PUBLIC;
REVOKE ALL ON FUNCTION flockgov_purge_held_audit(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION flockgov_purge_audit_batch(timestamptz, bigint, integer)
    TO {APP_ROLE};
GRANT EXECUTE ON FUNCTION flockgov_purge_audit_side_tables(timestamptz, integer)
    TO {APP_ROLE};
GRANT EXECUTE ON FUNCTION flockgov_purge_held_audit(timestamptz) TO {APP_ROLE};
"""

DROP_PURGE_FUNCTIONS = """
DROP FUNCTION IF EXISTS flockgov_purge_audit_batch(timestamptz, bigint, integer);
DROP FUNCTION IF EXISTS flockgov_purge_audit_side_tables(timestamptz, integer);
DROP FUNCTION IF EXISTS flockgov_purge_held_audit(timestamptz);
"""
