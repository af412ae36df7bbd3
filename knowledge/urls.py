"""URLs of the knowledge app (mounted under /expertise/ by portal.urls)."""

from django.urls import path

from . import views
from .feeds import ArticlesAtomFeed, ArticlesFeed

app_name = "knowledge"
urlpatterns = [
    path("experts/", views.expert_list, name="experts"),
    path("experts/<slug:slug>/", views.expert_detail, name="expert"),
    path("experts/<slug:slug>/vraag/", views.ask_expert, name="ask_expert"),
    path("thema/<slug:slug>/vraag/", views.ask_theme, name="ask_theme"),
    path("vraag/bedankt/", views.ask_thanks, name="ask_thanks"),
    path("vraag/bevestigen/<str:token>/", views.ask_confirm, name="ask_confirm"),
    path("vraag/verstuurd/", views.ask_sent, name="ask_sent"),
    # New articles: all, and per theme (linked from the pages' <head>).
    path("artikelen/rss/", ArticlesFeed(), name="articles_rss"),
    path("artikelen/atom/", ArticlesAtomFeed(), name="articles_atom"),
    path("thema/<slug:slug>/rss/", ArticlesFeed(), name="theme_articles_rss"),
    path("thema/<slug:slug>/atom/", ArticlesAtomFeed(), name="theme_articles_atom"),
]
