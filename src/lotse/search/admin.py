from django.contrib import admin

from .models import Synonym


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ["phrases", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["phrases"]
