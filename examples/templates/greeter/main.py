"""{{name}}: greets with "{{greeting}}". Owned by {{team}}."""

import functions_framework


@functions_framework.http
def greet(request):
    """Return the greeting for the name in the query (?name=Ada)."""
    name = request.args.get("name", "World")
    return f"{{greeting}} {name}!"
