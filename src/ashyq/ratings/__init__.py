"""Real-time service ratings ("digital agent"): service points and their API keys, the
ratings they submit, and the incidents a low rating opens, with escalation to the agency."""
