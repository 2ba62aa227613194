"""The serializer of backups: Django's JSON with times kept to the microsecond.

Django's JSON encoder cuts datetimes and times to milliseconds (ECMA-262), so a dumpdata →
loaddata round trip changes every created_at; a backup must give back exactly what was stored."""

import datetime

from django.core.serializers import json as django_json
from django.core.serializers.json import DjangoJSONEncoder

FORMAT = "exactjson"  # also the data file's extension: loaddata picks the serializer by it


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(django_json.Serializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactEncoder


Deserializer = django_json.Deserializer


def register():
    from django.core import serializers

    serializers.register_serializer(FORMAT, __name__)
