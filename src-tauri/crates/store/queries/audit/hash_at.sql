SELECT hash FROM audit_log WHERE seq = ?1
