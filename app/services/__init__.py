"""Operations on an open engagement file: one short transaction each, plain rows out."""
