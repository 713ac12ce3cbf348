FROM scratch AS base
from scratch as base2
From scratch as base3
