"""The calendar: visits, meetings, tasks and callbacks per person and team, and its ICS feed."""
