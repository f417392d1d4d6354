"""Dated rules kept as data (legal profiles, fee rates, subsidies): which row is in force on a day."""


def covers(row, day, channel):
    """Whether `row` (with valid_from, valid_to and channels; null channels cover every channel) applies."""
    in_range = row.valid_from <= day and (row.valid_to is None or day <= row.valid_to)
    return in_range and (row.channels is None or str(channel) in row.channels)


def in_force(rows, day, channel):
    """The row in force on `day` for `channel`, or None: a channel-specific row beats a general one, then
    the most recent start wins."""
    covering = [row for row in rows if covers(row, day, channel)]
    return max(covering, key=lambda row: (row.channels is not None, row.valid_from), default=None)
