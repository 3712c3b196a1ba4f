"""Text tools shared by extract/ and index/: normalisation, the jieba segmenter with jiwen's user
words, the gazetteer of places and the programme lexicon. Imports only the ground floor."""
