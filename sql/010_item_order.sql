-- Werkstatt schema, part 10: a round's item order is stored, not derived twice.

-- The position of each item in its round, from 0: ballots' `entries` name items by it
-- (sql/002), the API lists a round's recommendation_ids in it and the worker counts the
-- candidates in it, both `ORDER BY position`. Set when the round's items are inserted;
-- the rounds there are keep the order both readers used so far, the recommendations' seq.
ALTER TABLE round_items ADD COLUMN position integer CHECK (position >= 0);
UPDATE round_items i SET position = o.position
  FROM (SELECT i.round_id, i.recommendation_id,
               row_number() OVER (PARTITION BY i.round_id ORDER BY rec.seq) - 1 AS position
          FROM round_items i JOIN recommendations rec ON rec.id = i.recommendation_id) AS o
 WHERE o.round_id = i.round_id AND o.recommendation_id = i.recommendation_id;
ALTER TABLE round_items ALTER COLUMN position SET NOT NULL,
    ADD CONSTRAINT round_items_position_unique UNIQUE (round_id, position);
