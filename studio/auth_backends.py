"""django-axes' backend, for logins that come over HTTP.

A login without a request (a management command, the test client's `login()`) has no client
address to lock out and is not an attack path; django-axes would refuse it outright, so it is
passed on to the next backend unchecked. Every HTTP login form passes its request and is counted.
"""

from axes.backends import AxesStandaloneBackend


class AxesHttpBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
