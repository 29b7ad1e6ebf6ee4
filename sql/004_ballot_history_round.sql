-- The worker's watermark, max(id) of a round's ballot history, is read by this index
-- instead of walking the whole history backwards.
CREATE INDEX ballot_history_round ON ballot_history (round_id, id);
