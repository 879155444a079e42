from django.shortcuts import render


def storefront(request, path: str = ""):
    """A one-page shop over the public API, for trying every checkout flow locally. It is
    also the frontend that redirects and return URLs land on (FRONTEND_BASE_URL=<site>/demo)."""
    return render(request, "sandbox/demo.html")
