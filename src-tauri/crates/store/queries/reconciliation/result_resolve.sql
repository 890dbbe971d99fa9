-- Records a person's decision about a result (the trigger keeps it to one).
UPDATE recon_results SET resolution = ?2, resolved_by = ?3, resolved_at = ?4, note = ?5 WHERE id = ?1
