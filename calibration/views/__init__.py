"""HTML views of calibration, one module per subdomain: `sessions` (overview, list, planning,
the session page and its set-up buttons), `scoring` (a reviewer's blind scoring), `debrief`
(after the reveal, and the outcome items), `rubrics`, `evaluations` (QA evaluations and
disputes) and `partner_settings`. `calibration.urls` names them."""
