-- Werkstatt schema, part 8: what a closed round was counted with stays so.

-- The stakeholder group of each ballot as it was when its round closed: a closed round
-- that is counted again (a new k) counts every ballot in that group, whatever the member's
-- group is later, so no recount can single out a member who moved.
ALTER TABLE ballots ADD COLUMN stakeholder_group text
    CHECK (stakeholder_group IN ('industry', 'science', 'association', 'union', 'politics', 'administration', 'civil_society', 'other'));
UPDATE ballots b SET stakeholder_group = g.stakeholder_group
  FROM member_groups g, rounds r
 WHERE g.member_id = b.member_id AND r.id = b.round_id AND r.state = 'closed';

-- Snapshots computed before secrecy by aggregation (k = 1, every group shown) are never
-- shown again, and every round is counted anew under its workshop's k.
ALTER TABLE ranking_snapshots DISABLE TRIGGER ranking_snapshots_immutable;
UPDATE ranking_snapshots SET published = false WHERE min_group_size = 1;
ALTER TABLE ranking_snapshots ENABLE TRIGGER ranking_snapshots_immutable;
SELECT mark_rounds_dirty(ARRAY(SELECT id FROM rounds WHERE state <> 'draft' AND history_pruned_at IS NULL));
