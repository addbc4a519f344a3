"""The shared kernel: what every package may use and none owns.

The calendar of Korean working days, the error base with stable codes, who is acting (``Actor``, ``Role``),
a center's hours, Korean number reading, and the HTTP kit (router, request, body and parameter checks, the
OpenAPI builder, the error body and the status table each package contributes to). It imports no other
package of this repository.
"""
