urlpatterns: list = []  # a real provider mounts its webhook here (apis.WebhookApi)
