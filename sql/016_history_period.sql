-- Werkstatt schema, part 16: the progress report reads the history rows of a period by
-- time (PostgresImplementationRepository.points): one range of this index instead of a
-- scan of the whole table (issue 12's speed target; docs/performance.md).
CREATE INDEX implementation_history_period ON implementation_history (workshop_id, at);
