"""Strategic plans: directions, goals and target indicators with plan and actual values,
verdicts that follow each indicator's direction, and the risk register (seed 004)."""
