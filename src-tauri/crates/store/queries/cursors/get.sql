SELECT cursor FROM sync_cursors WHERE flow = ?1 AND source = ?2
