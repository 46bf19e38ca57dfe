//! The subject index: schema, writes and queries.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::directory::error::LockError;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{PreTokenizedString, Token};
use tantivy::{
    DocAddress, DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TERMINATED,
    TantivyDocument, TantivyError, Term,
};
use xinyong_core::uscc::Uscc;

use crate::analysis::{
    CODE_GRAM, CODE_START, char_windows, code_fragment, code_text, dedup, index_words,
    pinyin_bigrams, query_words,
};
use crate::normalize::normalize;
use crate::{Hit, SearchError, SubjectDoc};

/// Queries longer than this (in characters, before normalisation) are
/// rejected with [`SearchError::QueryTooLong`].
pub const MAX_QUERY_CHARS: usize = 200;
/// Only the first this many characters of a query's normal form are matched
/// against names (the longest names have about 40): the cost of a name query
/// grows with its tokens.
pub const MAX_NAME_CHARS: usize = 48;
/// Most hits one search returns; a larger `limit` is lowered to this.
pub const MAX_LIMIT: usize = 100;

/// Memory of the writer's indexing arenas, all threads together.
const WRITER_MEMORY: usize = 128 << 20;
/// Most indexing threads (the machine may have fewer cores).
const WRITER_THREADS: usize = 2;

/// Weights of the clauses of a name query: the whole normalised name beats
/// everything, then dictionary words, bigrams and single characters.
const BOOST_NAME_EXACT: f32 = 20.0;
const BOOST_NAME_WORD: f32 = 2.0;
const BOOST_NAME_BIGRAM: f32 = 1.5;
const BOOST_NAME_UNIGRAM: f32 = 0.5;
const BOOST_NAME_PINYIN: f32 = 1.0;
/// Queries shorter than this (in characters) also match single characters;
/// longer ones match on bigrams (characters and pinyin) and words only: a
/// character's posting list is the longest of all (有, 限, 公, 司 are in
/// most names), and on a longer query the bigrams carry the same evidence.
const UNIGRAMS_BELOW: usize = 4;
/// Most tokens of a name query (the rarest are kept): a union's cost grows
/// faster than its number of terms.
const MAX_NAME_TERMS: usize = 32;
/// Share of the names above which a query token counts as common.
const COMMON_SHARE: f64 = 0.25;
/// Indexes smaller than this keep every query token (pruning is for speed).
const PRUNE_FROM_DOCS: u64 = 10_000;
/// Weights of the clauses of a code query: the whole code, a prefix, a
/// fragment anywhere.
const BOOST_CODE_EXACT: f32 = 100.0;
const BOOST_CODE_PREFIX: f32 = 10.0;
const BOOST_CODE_FRAGMENT: f32 = 1.0;

/// The fields of the schema.
#[derive(Debug, Clone, Copy)]
struct Fields {
    /// The normalised code (stored; the key of upserts).
    uscc: Field,
    /// Stored as given.
    name: Field,
    subject_type: Field,
    region: Field,
    /// The whole normalised name, one token.
    name_full: Field,
    /// jieba words of the normalised name.
    name_word: Field,
    /// Character bigrams of the normalised name.
    name_bigram: Field,
    /// Characters of the normalised name.
    name_unigram: Field,
    /// Pinyin bigrams of the normalised name.
    name_pinyin: Field,
    /// [`CODE_GRAM`]-grams of `^CODE$`, with positions (fragments are
    /// phrase queries).
    code_gram: Field,
}

impl Fields {
    fn schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let tokens = |record| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("raw")
                    .set_index_option(record),
            )
        };
        let fields = Fields {
            uscc: b.add_text_field("uscc", STRING | STORED),
            name: b.add_text_field("name", STORED),
            subject_type: b.add_text_field("type", STORED),
            region: b.add_text_field("region", STORED),
            name_full: b.add_text_field("name_full", tokens(IndexRecordOption::Basic)),
            name_word: b.add_text_field("name_word", tokens(IndexRecordOption::WithFreqs)),
            name_bigram: b.add_text_field("name_bigram", tokens(IndexRecordOption::WithFreqs)),
            name_unigram: b.add_text_field("name_unigram", tokens(IndexRecordOption::WithFreqs)),
            name_pinyin: b.add_text_field("name_pinyin", tokens(IndexRecordOption::WithFreqs)),
            code_gram: b.add_text_field(
                "code_gram",
                tokens(IndexRecordOption::WithFreqsAndPositions),
            ),
        };
        (b.build(), fields)
    }
}

/// How long [`SubjectIndex::upsert`] waits for another process to release
/// the write lock of an index directory before it fails.
pub const LOCK_WAIT: Duration = Duration::from_secs(120);

/// A full-text index of subjects: see the crate documentation.
///
/// Every method takes `&self`: share one index between threads (in an `Arc`);
/// writes are serialised by an internal lock, searches never wait for them.
///
/// # Several processes on one directory
///
/// tantivy allows one writer per index directory (a lock file). An index
/// opened with [`SubjectIndex::open`] takes that lock only while it writes:
/// from the first [`SubjectIndex::upsert`] after a commit until the end of
/// the next [`SubjectIndex::commit`] (which also waits for the merges it
/// started), waiting up to [`LOCK_WAIT`] when another process holds it. So a
/// server and a command-line import can both keep the same directory open
/// and write in turn; each one's reader reloads when the index's metadata
/// changes, so the commits of the other become searchable within a second
/// (its own commits at once). A commit may carry a mark
/// ([`SubjectIndex::commit_with_mark`], read back with
/// [`SubjectIndex::mark`]) stored atomically with it, e.g. how far the index
/// has caught up with a store.
pub struct SubjectIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<Option<IndexWriter<TantivyDocument>>>,
    fields: Fields,
    /// Release the writer after each commit (an index in a directory).
    release: bool,
}

impl std::fmt::Debug for SubjectIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubjectIndex")
            .field("docs", &self.num_docs())
            .finish_non_exhaustive()
    }
}

impl SubjectIndex {
    /// Opens the index kept in `dir` (created, with its directory, when
    /// missing). Only one `SubjectIndex` may have a directory open at a time.
    pub fn open(dir: &Path) -> Result<SubjectIndex, SearchError> {
        std::fs::create_dir_all(dir).map_err(|source| SearchError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let directory = MmapDirectory::open(dir).map_err(|source| SearchError::Open {
            path: PathBuf::from(dir),
            source,
        })?;
        let (schema, fields) = Fields::schema();
        SubjectIndex::with_index(Index::open_or_create(directory, schema)?, fields, true)
    }

    /// A new, empty index in memory (tests, small tools).
    pub fn in_memory() -> Result<SubjectIndex, SearchError> {
        let (schema, fields) = Fields::schema();
        SubjectIndex::with_index(Index::create_in_ram(schema), fields, false)
    }

    fn with_index(
        index: Index,
        fields: Fields,
        release: bool,
    ) -> Result<SubjectIndex, SearchError> {
        // Reloaded by `commit` (so a commit is visible when it returns) and
        // on every change of the index's metadata, which also picks up the
        // background merges that follow a bulk load (fewer segments to search).
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(SubjectIndex {
            index,
            reader,
            writer: Mutex::new(None),
            fields,
            release,
        })
    }

    /// Number of searchable subjects (as of the last [`SubjectIndex::commit`]).
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Adds subjects, replacing any indexed subject with the same code (the
    /// last of the batch wins when a code repeats). Nothing is searchable
    /// before [`SubjectIndex::commit`]. Every code is checked first: on an
    /// error nothing of the batch is added.
    pub fn upsert(&self, docs: &[SubjectDoc]) -> Result<(), SearchError> {
        let codes = docs
            .iter()
            .map(|d| {
                Uscc::parse(&d.uscc).map_err(|source| SearchError::InvalidUscc {
                    uscc: d.uscc.clone(),
                    source,
                })
            })
            .collect::<Result<Vec<Uscc>, SearchError>>()?;
        let mut guard = self.writer()?;
        let writer = match guard.as_mut() {
            Some(w) => w,
            None => guard.insert(self.take_lock()?),
        };
        for (doc, code) in docs.iter().zip(codes) {
            writer.delete_term(Term::from_field_text(self.fields.uscc, code.as_str()));
            writer.add_document(self.document(doc, code.as_str()))?;
        }
        Ok(())
    }

    /// Makes every upsert so far durable (on disk for [`SubjectIndex::open`])
    /// and searchable: when this returns, searches see them.
    pub fn commit(&self) -> Result<(), SearchError> {
        self.commit_inner(None)
    }

    /// [`SubjectIndex::commit`], storing `mark` with the commit (atomically:
    /// a reader of [`SubjectIndex::mark`] sees the mark of the last commit
    /// and the documents it made searchable, or neither). Commits even when
    /// nothing was upserted, to store the mark.
    pub fn commit_with_mark(&self, mark: &str) -> Result<(), SearchError> {
        self.commit_inner(Some(mark))
    }

    /// The mark of the last commit of any process (read from the index's
    /// metadata), `None` when the last commit carried none.
    pub fn mark(&self) -> Result<Option<String>, SearchError> {
        Ok(self.index.load_metas()?.payload)
    }

    fn commit_inner(&self, mark: Option<&str>) -> Result<(), SearchError> {
        let mut guard = self.writer()?;
        let writer = match guard.as_mut() {
            Some(w) => w,
            // Nothing upserted since the last commit.
            None if mark.is_none() => return Ok(()),
            None => guard.insert(self.take_lock()?),
        };
        let mut prepared = writer.prepare_commit()?;
        if let Some(m) = mark {
            prepared.set_payload(m);
        }
        let committed = prepared.commit();
        if self.release
            && let Some(w) = guard.take()
        {
            // Releases the directory's lock once the merges are done.
            w.wait_merging_threads()?;
        }
        committed?;
        self.reader.reload()?;
        Ok(())
    }

    /// Takes the directory's write lock now (waiting as
    /// [`SubjectIndex::upsert`] does), so that nothing another process
    /// writes — the mark included — changes until the next commit or
    /// [`SubjectIndex::rollback`].
    pub fn hold_writer(&self) -> Result<(), SearchError> {
        let mut guard = self.writer()?;
        if guard.is_none() {
            *guard = Some(self.take_lock()?);
        }
        Ok(())
    }

    /// Drops every upsert since the last commit and releases the write lock.
    pub fn rollback(&self) -> Result<(), SearchError> {
        let mut guard = self.writer()?;
        if let Some(w) = guard.as_mut() {
            w.rollback()?;
        }
        if self.release
            && let Some(w) = guard.take()
        {
            w.wait_merging_threads()?;
        }
        Ok(())
    }

    fn writer(&self) -> Result<MutexGuard<'_, Option<IndexWriter<TantivyDocument>>>, SearchError> {
        self.writer.lock().map_err(|_| SearchError::WriterPoisoned)
    }

    /// A writer (the directory's write lock), waiting up to [`LOCK_WAIT`]
    /// for another process to release it.
    fn take_lock(&self) -> Result<IndexWriter<TantivyDocument>, SearchError> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(WRITER_THREADS);
        let started = Instant::now();
        loop {
            match self.index.writer_with_num_threads(threads, WRITER_MEMORY) {
                Err(TantivyError::LockFailure(LockError::LockBusy, _))
                    if started.elapsed() < LOCK_WAIT =>
                {
                    std::thread::sleep(Duration::from_millis(50));
                }
                other => return Ok(other?),
            }
        }
    }

    fn document(&self, doc: &SubjectDoc, code: &str) -> TantivyDocument {
        let f = &self.fields;
        let norm = normalize(&doc.name);
        let mut d = TantivyDocument::new();
        d.add_text(f.uscc, code);
        d.add_text(f.name, &doc.name);
        d.add_text(f.subject_type, &doc.subject_type);
        d.add_text(f.region, &doc.region);
        d.add_text(f.name_full, &norm);
        d.add_pre_tokenized_text(f.name_word, pre_tokenized(&norm, index_words(&norm)));
        d.add_pre_tokenized_text(f.name_bigram, pre_tokenized(&norm, char_windows(&norm, 2)));
        d.add_pre_tokenized_text(f.name_unigram, pre_tokenized(&norm, char_windows(&norm, 1)));
        let pinyin = pinyin_bigrams(&norm);
        let pinyin = pinyin.iter().map(String::as_str).collect();
        d.add_pre_tokenized_text(f.name_pinyin, pre_tokenized(&norm, pinyin));
        let code_text = code_text(code);
        let grams = char_windows(&code_text, CODE_GRAM);
        d.add_pre_tokenized_text(f.code_gram, pre_tokenized(&code_text, grams));
        d
    }

    /// The subjects that best match `query`, best first, at most `limit`
    /// (itself at most [`MAX_LIMIT`]).
    ///
    /// A query that normalises to nothing (empty, punctuation, whitespace)
    /// finds nothing; one longer than [`MAX_QUERY_CHARS`] characters is an
    /// error; names are matched against the first [`MAX_NAME_CHARS`]
    /// characters of its normal form. A query of 4 to 18 characters of the USCC alphabet is also a
    /// code: subjects whose code it is, starts with it or contains it come
    /// first, then matches of names.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let chars = query.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(SearchError::QueryTooLong {
                chars,
                max: MAX_QUERY_CHARS,
            });
        }
        let limit = limit.min(MAX_LIMIT);
        let norm = normalize(query);
        if limit == 0 || norm.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let mut hits: Vec<Hit> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut queries = Vec::with_capacity(2);
        if let Some(fragment) = code_fragment(&norm) {
            // The code itself and codes starting with the fragment, in code
            // order; only a fragment that starts no code is looked for
            // inside codes (the grams of a city's shared prefix are in every
            // code: a phrase of them would walk every posting list).
            let prefixed = self.code_prefix_hits(&searcher, &fragment, limit)?;
            for (code, address) in &prefixed {
                let boost = if *code == fragment {
                    BOOST_CODE_EXACT
                } else {
                    BOOST_CODE_PREFIX
                };
                let hit = self.hit(&searcher.doc(*address)?, boost);
                if seen.insert(hit.uscc.clone()) {
                    hits.push(hit);
                }
            }
            if prefixed.is_empty() {
                queries.push(self.code_query(&fragment));
            }
        }
        let name = match norm.char_indices().nth(MAX_NAME_CHARS) {
            Some((end, _)) => &norm[..end],
            None => &norm,
        };
        queries.push(self.name_query(&searcher, name)?);
        for q in queries {
            let wanted = limit - hits.len();
            if wanted == 0 {
                break;
            }
            let top = TopDocs::with_limit(wanted + seen.len()).order_by_score();
            for (score, address) in searcher.search(&q, &top)? {
                let hit = self.hit(&searcher.doc(address)?, score);
                if hits.len() < limit && seen.insert(hit.uscc.clone()) {
                    hits.push(hit);
                }
            }
        }
        Ok(hits)
    }

    /// Whole name, words, bigrams, characters and pinyin bigrams of a
    /// normalised query, each a term of its own (a union of terms, which
    /// tantivy prunes with block-max WAND). On a large index, tokens in more
    /// than [`COMMON_SHARE`] of the names (有限, 公司, 营口) are left out when
    /// rarer ones remain: they barely change the order and their posting
    /// lists are the longest to walk. Tokens in no name are left out too.
    fn name_query(&self, searcher: &Searcher, norm: &str) -> Result<BooleanQuery, SearchError> {
        let f = &self.fields;
        let unigrams = if norm.chars().nth(UNIGRAMS_BELOW - 1).is_none() {
            char_windows(norm, 1)
        } else {
            Vec::new()
        };
        let pinyin = pinyin_bigrams(norm);
        let groups = [
            (f.name_word, query_words(norm), BOOST_NAME_WORD),
            (f.name_bigram, char_windows(norm, 2), BOOST_NAME_BIGRAM),
            (
                f.name_pinyin,
                pinyin.iter().map(String::as_str).collect(),
                BOOST_NAME_PINYIN,
            ),
            (f.name_unigram, unigrams, BOOST_NAME_UNIGRAM),
        ];
        let docs = searcher.num_docs();
        let common = if docs >= PRUNE_FROM_DOCS {
            (docs as f64 * COMMON_SHARE) as u64
        } else {
            u64::MAX
        };
        let (mut rare, mut frequent) = (Vec::new(), Vec::new());
        for (field, tokens, boost) in groups {
            for t in dedup(tokens) {
                let term = Term::from_field_text(field, t);
                match searcher.doc_freq(&term)? {
                    0 => {}
                    n if n > common => frequent.push((n, term, boost)),
                    n => rare.push((n, term, boost)),
                }
            }
        }
        if rare.is_empty() {
            rare = frequent;
        }
        // The rarest first (stable: ties keep the order of the groups).
        rare.sort_by_key(|(n, _, _)| *n);
        rare.truncate(MAX_NAME_TERMS);
        let exact = Term::from_field_text(f.name_full, norm);
        let clauses = std::iter::once((exact, BOOST_NAME_EXACT))
            .chain(rare.into_iter().map(|(_, t, boost)| (t, boost)))
            .map(|(t, boost)| should(t, boost))
            .collect();
        Ok(BooleanQuery::new(clauses))
    }

    /// The first `limit` codes (in code order) starting with `fragment`,
    /// with their documents: a walk of each segment's dictionary of the
    /// `uscc` field from the fragment on, as cheap for a prefix every code
    /// shares as for a whole code. Deleted versions are skipped.
    fn code_prefix_hits(
        &self,
        searcher: &Searcher,
        fragment: &str,
        limit: usize,
    ) -> Result<Vec<(String, DocAddress)>, SearchError> {
        let io = |source: std::io::Error| SearchError::from(TantivyError::from(source));
        let mut found: Vec<(String, DocAddress)> = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let inverted = segment.inverted_index(self.fields.uscc)?;
            let mut terms = inverted
                .terms()
                .range()
                .ge(fragment.as_bytes())
                .into_stream()
                .map_err(io)?;
            let mut taken = 0;
            while taken < limit && terms.advance() {
                let Ok(code) = std::str::from_utf8(terms.key()) else {
                    continue;
                };
                if !code.starts_with(fragment) {
                    break;
                }
                let mut postings = inverted
                    .read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)
                    .map_err(io)?;
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if !segment.is_deleted(doc) {
                        found.push((code.to_owned(), DocAddress::new(ord as u32, doc)));
                        taken += 1;
                        break;
                    }
                    doc = postings.advance();
                }
            }
        }
        found.sort();
        found.truncate(limit);
        Ok(found)
    }

    /// The whole code, codes starting with the fragment, codes containing it.
    fn code_query(&self, fragment: &str) -> BooleanQuery {
        let f = &self.fields;
        let mut prefix = String::with_capacity(fragment.len() + 1);
        prefix.push(CODE_START);
        prefix.push_str(fragment);
        let exact = Term::from_field_text(f.uscc, fragment);
        let mut clauses = vec![should(exact, BOOST_CODE_EXACT)];
        clauses.extend(gram_phrase(f.code_gram, &prefix, BOOST_CODE_PREFIX));
        clauses.extend(gram_phrase(f.code_gram, fragment, BOOST_CODE_FRAGMENT));
        BooleanQuery::new(clauses)
    }

    fn hit(&self, doc: &TantivyDocument, score: f32) -> Hit {
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let f = &self.fields;
        Hit {
            uscc: text(f.uscc),
            name: text(f.name),
            subject_type: text(f.subject_type),
            region: text(f.region),
            score,
        }
    }
}

/// A should-clause: `term`, weighted.
fn should(term: Term, boost: f32) -> (Occur, Box<dyn Query>) {
    let q = TermQuery::new(term, IndexRecordOption::WithFreqs);
    (Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost)))
}

/// A should-clause: `text` as a run of consecutive grams, covered by the
/// grams at offsets 0, n, 2n … and the last gram; `None` when `text` is
/// shorter than one gram.
fn gram_phrase(field: Field, text: &str, boost: f32) -> Option<(Occur, Box<dyn Query>)> {
    let grams = char_windows(text, CODE_GRAM);
    let last = grams.len().saturating_sub(1);
    let mut offsets: Vec<usize> = (0..grams.len()).step_by(CODE_GRAM).collect();
    if offsets.last() != Some(&last) {
        offsets.push(last);
    }
    let terms: Vec<(usize, Term)> = offsets
        .into_iter()
        .filter_map(|i| Some((i, Term::from_field_text(field, grams.get(i)?))))
        .collect();
    let q: Box<dyn Query> = match terms.as_slice() {
        [] => return None,
        [(_, one)] => Box::new(TermQuery::new(one.clone(), IndexRecordOption::WithFreqs)),
        _ => Box::new(PhraseQuery::new_with_offset(terms)),
    };
    Some((Occur::Should, Box::new(BoostQuery::new(q, boost))))
}

/// `tokens` (slices of `text`, in order) as consecutive positions.
fn pre_tokenized(text: &str, tokens: Vec<&str>) -> PreTokenizedString {
    let tokens = tokens
        .into_iter()
        .enumerate()
        .map(|(position, t)| Token {
            offset_from: 0,
            offset_to: 0,
            position,
            text: t.to_owned(),
            position_length: 1,
        })
        .collect();
    PreTokenizedString {
        text: text.to_owned(),
        tokens,
    }
}
