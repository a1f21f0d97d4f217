from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "engagements"
    verbose_name = "Engagements: scope, selection, stages and cost"

    def ready(self) -> None:
        # The new-contract page can start from a chosen candidate's quote
        # (`/contracts/new/?from_candidate=<id>`); sla, a floor below, imports nothing of ours.
        from engagements.views.selection import FROM_CANDIDATE, contract_start
        from sla.forms import CONTRACT_STARTS

        CONTRACT_STARTS[FROM_CANDIDATE] = contract_start
