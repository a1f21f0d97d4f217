"""Candidates get rate cards like contracts': each existing candidate's single quote (one
pricing model, one headline rate) becomes one line per channel of the scope it was quoted
for, at that model and rate, and the candidate-wide price fields go.

"The scope it was quoted for" is the latest version of its selection's scope (or, failing
that, of the chosen partner's), and its channels are those with forecast contacts in that
version's mix. A candidate with no such scope gets a line for every channel, as its one rate
priced any work before."""

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.db import migrations, models

CHANNELS = ("voice", "email", "chat", "social")


def one_line_per_scope_channel(apps, schema_editor):
    Candidate = apps.get_model("engagements", "Candidate")
    CandidateRate = apps.get_model("engagements", "CandidateRate")
    ScopeVersion = apps.get_model("engagements", "ScopeVersion")
    ScopeLine = apps.get_model("engagements", "ScopeLine")
    lines = []
    for candidate in Candidate.objects.all().iterator():
        version = (
            ScopeVersion.objects.filter(selection_id=candidate.selection_id)
            .order_by("-version")
            .first()
        )
        if version is None and candidate.partner_id is not None:
            version = (
                ScopeVersion.objects.filter(partner_id=candidate.partner_id)
                .order_by("-version")
                .first()
            )
        channels = (
            set(
                ScopeLine.objects.filter(scope=version, contacts__gt=0).values_list(
                    "channel", flat=True
                )
            )
            if version is not None
            else set()
        )
        for channel in [c for c in CHANNELS if c in channels] or CHANNELS:
            lines.append(
                CandidateRate(
                    candidate=candidate,
                    channel=channel,
                    pricing_model=candidate.pricing_model,
                    rate=candidate.headline_rate,
                )
            )
    CandidateRate.objects.bulk_create(lines)


def one_price_per_candidate(apps, schema_editor):
    """Back to one quote per candidate: each candidate takes the price of its first line
    (a model the old field knows; a candidate quoting only hybrid or outcome lines keeps
    the first line's rate per contact)."""
    Candidate = apps.get_model("engagements", "Candidate")
    CandidateRate = apps.get_model("engagements", "CandidateRate")
    known = {"per_hour", "per_fte", "per_contact", "per_resolved"}
    for candidate in Candidate.objects.all().iterator():
        rates = list(CandidateRate.objects.filter(candidate=candidate).order_by("pk"))
        line = next((r for r in rates if r.pricing_model in known), rates[0] if rates else None)
        if line is not None:
            candidate.pricing_model = (
                line.pricing_model if line.pricing_model in known else "per_contact"
            )
            candidate.headline_rate = line.rate
            candidate.save(update_fields=["pricing_model", "headline_rate"])


class Migration(migrations.Migration):

    dependencies = [
        ('engagements', '0001_initial'),
        ('partners', '0003_audit_time_from_the_clock'),
    ]

    operations = [
        migrations.CreateModel(
            name='CandidateRate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('voice', 'Voice'), ('email', 'Email'), ('chat', 'Chat'), ('social', 'Social messaging')], max_length=20)),
                ('pricing_model', models.CharField(choices=[('per_hour', 'Per agent hour'), ('per_fte', 'Per FTE per month'), ('per_contact', 'Per contact'), ('per_resolved', 'Per resolved contact'), ('outcome', 'Outcome-based (monthly fee earned through bands)'), ('hybrid', 'Hybrid (base plus a bonus per resolved contact)')], max_length=20)),
                ('rate', models.DecimalField(decimal_places=4, help_text='As quoted: per hour, per FTE-month, per contact, per resolved contact, or the monthly fee (outcome-based).', max_digits=16, validators=[django.core.validators.MinValueValidator(Decimal('0'))])),
                ('hybrid_base', models.CharField(blank=True, choices=[('per_hour', 'Per agent hour'), ('per_fte', 'Per FTE per month'), ('per_contact', 'Per contact')], help_text='Hybrid: the base.', max_length=20)),
                ('resolution_bonus', models.DecimalField(decimal_places=4, default=Decimal('0'), help_text='Hybrid: per resolved contact.', max_digits=16, validators=[django.core.validators.MinValueValidator(Decimal('0'))])),
                ('candidate', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rates', to='engagements.candidate')),
                ('interaction_type', models.ForeignKey(blank=True, help_text='Empty: every contact of the channel that no line of its own type prices.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.interactiontype')),
            ],
            options={
                'ordering': ['candidate', models.OrderBy(models.Case(models.When(channel='voice', then=models.Value(0)), models.When(channel='email', then=models.Value(1)), models.When(channel='chat', then=models.Value(2)), models.When(channel='social', then=models.Value(3)), output_field=models.IntegerField())), models.OrderBy(models.F('interaction_type__name'), nulls_first=True), 'pk'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('interaction_type__isnull', True)), fields=('candidate', 'channel'), name='candidate_rate_unique_channel'), models.UniqueConstraint(condition=models.Q(('interaction_type__isnull', False)), fields=('candidate', 'channel', 'interaction_type'), name='candidate_rate_unique_channel_type')],
            },
        ),
        migrations.RunPython(one_line_per_scope_channel, one_price_per_candidate),
        # Defaults only so that the fields can come back on a migration backwards, before
        # `one_price_per_candidate` fills them in.
        migrations.AlterField(
            model_name='candidate',
            name='headline_rate',
            field=models.DecimalField(decimal_places=4, default=Decimal('0'), max_digits=16),
        ),
        migrations.AlterField(
            model_name='candidate',
            name='pricing_model',
            field=models.CharField(default='per_contact', max_length=20),
        ),
        migrations.RemoveField(
            model_name='candidate',
            name='headline_rate',
        ),
        migrations.RemoveField(
            model_name='candidate',
            name='pricing_model',
        ),
    ]
