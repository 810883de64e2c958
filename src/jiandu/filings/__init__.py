"""备案审查: normative documents and major penalty decisions filed with the supervising body."""
