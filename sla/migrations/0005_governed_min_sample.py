# The minimum sample moves from each band to its governed KPI: one number per KPI, the
# largest its bands had, so that no decision becomes easier to reach than it was. Band
# statuses and settlement lines keep the value as their explanation prints it.

import django.core.validators
from django.db import migrations, models

DEFAULT_MIN_SAMPLE = 30  # sla.domain.DEFAULT_MIN_SAMPLE when this migration was written


def merged_min_sample(band_values):
    """The governed KPI's minimum sample from its bands' own: the largest of them."""
    return max(band_values, default=DEFAULT_MIN_SAMPLE)


def to_governed(apps, schema_editor):
    GovernedKpi = apps.get_model("sla", "GovernedKpi")
    Band = apps.get_model("sla", "Band")
    values = {}
    for governed_id, min_sample in Band.objects.values_list("governed_id", "min_sample"):
        values.setdefault(governed_id, []).append(min_sample)
    changed = []
    for governed in GovernedKpi.objects.filter(pk__in=values):
        governed.min_sample = merged_min_sample(values[governed.pk])
        changed.append(governed)
    GovernedKpi.objects.bulk_update(changed, ["min_sample"], batch_size=500)


def to_bands(apps, schema_editor):
    GovernedKpi = apps.get_model("sla", "GovernedKpi")
    Band = apps.get_model("sla", "Band")
    for governed_id, min_sample in GovernedKpi.objects.values_list("pk", "min_sample"):
        Band.objects.filter(governed_id=governed_id).update(min_sample=min_sample)


class Migration(migrations.Migration):

    dependencies = [
        ('sla', '0004_drafts_follow_inputs'),
    ]

    operations = [
        migrations.AddField(
            model_name='governedkpi',
            name='min_sample',
            field=models.PositiveIntegerField(default=30, help_text='Below this many observations in a month no band is decided and no money moves, whichever band the value is in.', validators=[django.core.validators.MinValueValidator(1)]),
        ),
        migrations.RunPython(to_governed, to_bands),
        migrations.RemoveField(
            model_name='band',
            name='min_sample',
        ),
        migrations.AddField(
            model_name='bandstatus',
            name='value_text',
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name='settlementline',
            name='value_text',
            field=models.CharField(blank=True, max_length=40),
        ),
    ]
