//! Tests of transactions (I6, I7, C5), each named after the fact it checks.
