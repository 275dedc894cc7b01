"""Importing a WordPress WXR export into the press centre, one module per concern.

run          the entry points (`import_wxr_file`, `import_uploaded_file`), the two passes over the file, batches
report       ImportSummary: counts, reasons for skips, warnings and notices for editors
identity     post ids, what makes two posts the same post, and the record kept of each import
people       authors and co-authors as people
terms        categories, tags, and the item type a post's categories choose
attachments  files copied from the old site's uploads folder
links        internal links pointed at where their target is now
items        posts as news items, written in batches
pages        WordPress pages as content pages, keeping their hierarchy
comments     comments, pingbacks and trackbacks
redirects    the old site's addresses redirected to the new pages and files
tree         writing pages into Wagtail's tree
"""
