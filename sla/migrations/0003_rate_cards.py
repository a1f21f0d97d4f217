"""Contracts get rate cards: each existing contract becomes one line per channel it deals
with, at its current price, and the contract-wide price fields go.

"The channels it deals with" are those its SLAs govern, its entered volumes and settled
invoices name, and its partner's teams work; a contract with none of these gets a line for
every channel, as it priced every channel before."""

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.db import migrations, models

CHANNELS = ("voice", "email", "chat", "social")


def one_line_per_channel(apps, schema_editor):
    Contract = apps.get_model("sla", "Contract")
    RateLine = apps.get_model("sla", "RateLine")
    GovernedKpi = apps.get_model("sla", "GovernedKpi")
    ChannelVolume = apps.get_model("sla", "ChannelVolume")
    Settlement = apps.get_model("sla", "Settlement")
    Team = apps.get_model("partners", "Team")
    lines = []
    for contract in Contract.objects.all().iterator():
        channels = set(
            GovernedKpi.objects.filter(sla__contract=contract).values_list("channel", flat=True)
        )
        channels |= set(
            ChannelVolume.objects.filter(contract=contract).values_list("channel", flat=True)
        )
        for invoices in Settlement.objects.filter(contract=contract).values_list(
            "invoices", flat=True
        ):
            channels |= set(invoices or {})
        channels |= set(
            Team.objects.filter(partner_id=contract.partner_id).values_list("channel", flat=True)
        )
        for channel in [c for c in CHANNELS if c in channels] or CHANNELS:
            lines.append(
                RateLine(
                    contract=contract,
                    channel=channel,
                    pricing_model=contract.pricing_model,
                    rate=contract.rate,
                    hybrid_base=contract.hybrid_base,
                    resolution_bonus=contract.resolution_bonus,
                )
            )
    RateLine.objects.bulk_create(lines)


def one_price_per_contract(apps, schema_editor):
    """Back to a contract-wide price: each contract takes the price of its first line."""
    Contract = apps.get_model("sla", "Contract")
    RateLine = apps.get_model("sla", "RateLine")
    for contract in Contract.objects.all().iterator():
        line = RateLine.objects.filter(contract=contract).order_by("interaction_type", "pk").first()
        if line is not None:
            contract.pricing_model = line.pricing_model
            contract.rate = line.rate
            contract.hybrid_base = line.hybrid_base
            contract.resolution_bonus = line.resolution_bonus
            contract.save(
                update_fields=["pricing_model", "rate", "hybrid_base", "resolution_bonus"]
            )


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0002_interactiontype_is_routine_partner_in_house'),
        ('sla', '0002_calibration_alignment_kpi'),
    ]

    operations = [
        migrations.CreateModel(
            name='RateLine',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('voice', 'Voice'), ('email', 'Email'), ('chat', 'Chat'), ('social', 'Social messaging')], max_length=20)),
                ('pricing_model', models.CharField(choices=[('per_hour', 'Per agent hour'), ('per_fte', 'Per FTE per month'), ('per_contact', 'Per contact'), ('per_resolved', 'Per resolved contact'), ('outcome', 'Outcome-based (monthly fee earned through bands)'), ('hybrid', 'Hybrid (base plus a bonus per resolved contact)')], max_length=20)),
                ('rate', models.DecimalField(decimal_places=4, help_text='Per hour, per FTE-month, per contact, per resolved contact, or the monthly fee (outcome-based).', max_digits=16, validators=[django.core.validators.MinValueValidator(Decimal('0'))])),
                ('hybrid_base', models.CharField(blank=True, choices=[('per_hour', 'Per agent hour'), ('per_fte', 'Per FTE per month'), ('per_contact', 'Per contact')], help_text='Hybrid: the base.', max_length=20)),
                ('resolution_bonus', models.DecimalField(decimal_places=4, default=Decimal('0'), help_text='Hybrid: per resolved contact.', max_digits=16, validators=[django.core.validators.MinValueValidator(Decimal('0'))])),
                ('contract', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rates', to='sla.contract')),
                ('interaction_type', models.ForeignKey(blank=True, help_text='Empty: every contact of the channel that no line of its own type prices.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.interactiontype')),
            ],
            options={
                'ordering': ['contract', models.OrderBy(models.Case(models.When(channel='voice', then=models.Value(0)), models.When(channel='email', then=models.Value(1)), models.When(channel='chat', then=models.Value(2)), models.When(channel='social', then=models.Value(3)), output_field=models.IntegerField())), models.OrderBy(models.F('interaction_type__name'), nulls_first=True), 'pk'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('interaction_type__isnull', True)), fields=('contract', 'channel'), name='rate_unique_channel'), models.UniqueConstraint(condition=models.Q(('interaction_type__isnull', False)), fields=('contract', 'channel', 'interaction_type'), name='rate_unique_channel_type')],
            },
        ),
        migrations.RunPython(one_line_per_channel, one_price_per_contract),
        migrations.RemoveField(
            model_name='contract',
            name='hybrid_base',
        ),
        migrations.RemoveField(
            model_name='contract',
            name='pricing_model',
        ),
        migrations.RemoveField(
            model_name='contract',
            name='rate',
        ),
        migrations.RemoveField(
            model_name='contract',
            name='resolution_bonus',
        ),
    ]
