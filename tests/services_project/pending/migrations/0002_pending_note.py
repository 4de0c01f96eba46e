from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("pending", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="pending",
            name="note",
            field=models.TextField(default=""),
        ),
    ]
