// Tests for GalleryIndex.
