"""The dashboard and every other HTML page, one module per page or group of pages (sign-in, home,
goals and aspirations, network, account, confirm, calendar, updates, Google's connect flow), all
drawn with the one toolkit in `api/pages/common.py`. `api/app.py` registers their routers."""
