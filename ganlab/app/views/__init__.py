"""The app's views: each is created once and updated in place from the newest frame."""
