-- The language a cycle's own texts are written in (its name, description, areas, scopes,
-- proposals, projects, reasons and answers), as a BCP 47 tag. Pages shown in another language
-- mark those texts with it (a `lang` attribute, WCAG 2.2 3.1.2). civica always states it; the
-- default, English (civica's default page language), covers cycles created before this
-- migration, and an administrator can change it on the cycle's settings page.
ALTER TABLE cycles
    ADD COLUMN content_language text NOT NULL DEFAULT 'en'
        CHECK (content_language ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$'
               AND length(content_language) <= 35);
