-- A submitted batch whose items have all reached a final state is complete.
UPDATE payout_batches SET status = 'completed', updated_at = ?2
WHERE id = ?1 AND status = 'submitted'
  AND NOT EXISTS (SELECT 1 FROM payout_items i WHERE i.batch_id = ?1
                  AND i.state IN ('batched', 'submitting', 'in_doubt', 'submitted'))
