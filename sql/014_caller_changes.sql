-- Every API process keeps who holds a token for a few seconds (TokenCache, the
-- --token-cache-ttl setting). Whatever changes what a token allows is announced on the
-- channel werkstatt_caller_changes, after its transaction commits, and every listening
-- process drops what it kept: the payload is the hex SHA-256 of the token concerned, or
-- '*' for a change that concerns many tokens at once (a workshop closing, an
-- organisation's stakeholder group). docs/security.md states the guarantee.
--
-- What a caller is (CallerByTokenHash): an admin token's hash, revocation and expiry; a
-- member's hash, revocation, expiry, role, workshop and stakeholder group (their own, or
-- their organisation's: member_groups), and whether their workshop is closed. Each of
-- those columns is watched below, and only a real change of one notifies: pg_notify
-- holds a lock through the commit, so nothing on a hot path (ballots, stances) may call it.

-- One token's caller changed or is gone.
CREATE FUNCTION caller_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('werkstatt_caller_changes', encode(OLD.token_hash, 'hex'));
    RETURN NULL;
END;
$$;

-- The callers of many tokens changed.
CREATE FUNCTION callers_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('werkstatt_caller_changes', '*');
    RETURN NULL;
END;
$$;

CREATE TRIGGER admin_tokens_caller_changed AFTER UPDATE OF token_hash, revoked_at, expires_at ON admin_tokens
    FOR EACH ROW
    WHEN ((OLD.token_hash, OLD.revoked_at, OLD.expires_at) IS DISTINCT FROM (NEW.token_hash, NEW.revoked_at, NEW.expires_at))
    EXECUTE FUNCTION caller_changed();
CREATE TRIGGER admin_tokens_caller_deleted AFTER DELETE ON admin_tokens
    FOR EACH ROW EXECUTE FUNCTION caller_changed();

-- An organisation deleted unlinks its members (ON DELETE SET NULL), which is an update
-- of members.organisation_id and notifies through the trigger below.
CREATE TRIGGER members_caller_changed
    AFTER UPDATE OF token_hash, revoked_at, expires_at, role, workshop_id, stakeholder_group, organisation_id ON members
    FOR EACH ROW
    WHEN ((OLD.token_hash, OLD.revoked_at, OLD.expires_at, OLD.role, OLD.workshop_id, OLD.stakeholder_group, OLD.organisation_id)
          IS DISTINCT FROM
          (NEW.token_hash, NEW.revoked_at, NEW.expires_at, NEW.role, NEW.workshop_id, NEW.stakeholder_group, NEW.organisation_id))
    EXECUTE FUNCTION caller_changed();
CREATE TRIGGER members_caller_deleted AFTER DELETE ON members
    FOR EACH ROW EXECUTE FUNCTION caller_changed();

CREATE TRIGGER organisations_callers_changed AFTER UPDATE OF stakeholder_group ON organisations
    FOR EACH ROW WHEN (OLD.stakeholder_group IS DISTINCT FROM NEW.stakeholder_group)
    EXECUTE FUNCTION callers_changed();

-- A closed workshop's members read only; a closed workshop stays closed (sql/007).
CREATE TRIGGER workshops_callers_changed AFTER UPDATE OF phase ON workshops
    FOR EACH ROW WHEN (NEW.phase = 'closed' AND OLD.phase IS DISTINCT FROM 'closed')
    EXECUTE FUNCTION callers_changed();
