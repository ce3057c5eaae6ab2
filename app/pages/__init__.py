"""What a page of the app shows, read in one transaction into frozen records: the view only lays them out, and the
page is tested without Qt."""
