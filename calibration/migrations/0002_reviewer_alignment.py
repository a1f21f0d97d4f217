"""Each reviewer's own agreement with the other side, and their bias, stored at the reveal;
revealed sessions get theirs computed here from their scores (calibration.domain is pure, so
this uses it as the services do)."""

from collections import defaultdict

from django.db import migrations, models


def backfill(apps, schema_editor):
    from calibration import domain

    Session = apps.get_model("calibration", "CalibrationSession")
    Criterion = apps.get_model("calibration", "RubricCriterion")
    Score = apps.get_model("calibration", "Score")
    Reviewer = apps.get_model("calibration", "SessionReviewer")
    revealed = Session.objects.filter(status__in=["revealed", "closed"])
    for session in revealed.iterator():
        criteria = [
            domain.Criterion(
                str(c.pk), c.name, c.weight, domain.Scale(c.scale), c.na_allowed, c.critical
            )
            for c in Criterion.objects.filter(version_id=session.version_id).order_by("position")
        ]
        keys = {c.key for c in criteria}
        sheets = defaultdict(dict)  # (item, reviewer) → answers
        for score in Score.objects.filter(item__session=session):
            sheets[(score.item_id, score.reviewer_id)][str(score.criterion_id)] = domain.Answer(
                score.value
            )
        complete = {key: sheet for key, sheet in sheets.items() if keys <= sheet.keys()}
        reviewers = list(Reviewer.objects.filter(session=session))
        sides = {r.pk: r.side for r in reviewers}
        items = sorted({item for item, _ in complete})
        for reviewer in reviewers:
            pairs = []
            for item in items:
                own = complete.get((item, reviewer.pk))
                others = [
                    sheet
                    for (i, r), sheet in complete.items()
                    if i == item and sides.get(r) not in (None, reviewer.side)
                ]
                if own is not None and others:
                    pairs.append((own, others))
            reviewer.agreement, reviewer.bias = domain.reviewer_alignment(criteria, pairs)
        Reviewer.objects.bulk_update(reviewers, ["agreement", "bias"])


class Migration(migrations.Migration):
    dependencies = [
        ("calibration", "0001_rubrics_evaluations_sessions"),
    ]

    operations = [
        migrations.AddField(
            model_name="sessionreviewer",
            name="agreement",
            field=models.DecimalField(blank=True, decimal_places=6, max_digits=7, null=True),
        ),
        migrations.AddField(
            model_name="sessionreviewer",
            name="bias",
            field=models.DecimalField(blank=True, decimal_places=3, max_digits=8, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
