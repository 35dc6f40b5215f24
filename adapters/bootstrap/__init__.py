"""Composition roots: one module per process, the only places that name concrete adapters.

web (api.main), worker and scheduler (actors.tasks), relay (actors.relay), consumer
(actors.mailer) and dashboard (actors.dashboard) each import the entry function of their own
module; `common` holds the pieces several processes share."""
