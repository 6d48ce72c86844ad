"""Public-service quality control: the registry of services, deliveries and control records,
violation detection and the statistics of seeds 000 and 002."""
