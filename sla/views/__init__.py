"""The SLA pages, one module per subdomain: contracts (`contracts`), SLAs and their bands
(`slas`), band design from pilot data (`design`), settlements (`settlements`) and
remediation plans (`remediation`); `common` holds what the contract and SLA pages share."""
