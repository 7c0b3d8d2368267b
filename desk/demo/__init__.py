"""The demo clinic: its invented people and patients (`clinic`), the accounts the sign-in
screen shows (`accounts`), and how they are played into a training registry (`seed`)."""
